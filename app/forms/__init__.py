"""WTForms for the HTML pages; they never write to the database."""
