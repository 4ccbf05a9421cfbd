"""Pages of a consultation round, a module per page or workflow. Visitors may read; taking part is
checked by the services.

Each view reads through the selectors, changes state only through a service, and on a domain
error shows the message beside what the person typed.

- `rounds`: the round page and its discussion pages;
- `questions`: a commitment's or a proposal's page, and the vote on it;
- `proposals`: proposing, editing and withdrawing;
- `comments`: posting, editing, deleting and reporting comments;
- `results`: a closed round's results, as a page and as CSV;
- `staff`: scheduling, closing and applying a round, and moderation;
- `participation`: who is taking part in a round (counts only), and the reminder to those who
  have not answered every question.
"""
