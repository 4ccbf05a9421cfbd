// Progressive enhancement for the import page. Without JavaScript a problem's link in the error
// summary goes to its line in the numbered copy of the outline; with it, the link also selects
// that line in the text box, where the person fixes it. Lines are counted as the import counts
// them: a browser gives a text box's value with "\n" line endings only.
const box = document.getElementById("id_text");
const label = box && document.querySelector(`label[for="${box.id}"]`);

const lineRange = (text, number) => {
  const lines = text.split("\n");
  if (!(number >= 1 && number <= lines.length)) return null;
  let start = 0;
  for (let index = 0; index < number - 1; index += 1) start += lines[index].length + 1;
  return [start, start + lines[number - 1].length];
};

if (box) {
  document.querySelectorAll("a[data-outline-line]").forEach((link) => {
    link.addEventListener("click", (event) => {
      const range = lineRange(box.value, Number(link.dataset.outlineLine));
      if (!range) return; // the text has changed since: the numbered copy still has the line
      event.preventDefault();
      (label || box).scrollIntoView();
      box.focus({ preventScroll: true });
      box.setSelectionRange(range[0], range[1]);
      // Bring the selected line into the box's view: the caret's line, roughly, by its share of
      // the text (wrapped lines make any exact figure a guess).
      const share = range[0] / Math.max(1, box.value.length);
      box.scrollTop = Math.max(0, share * box.scrollHeight - box.clientHeight / 3);
    });
  });
}
