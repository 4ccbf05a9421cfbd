"""What every app shares and no app owns: errors, safe text rendering and word diffs, CSV cells. Importing nothing from the apps."""
