"""What every app shares and no app owns: safe text rendering. Importing nothing from the apps."""
