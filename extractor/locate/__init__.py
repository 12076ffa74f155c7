"""Locate: the six sections by their headings (`sections`), and the report's metadata: agency, year
and publication date from the title and the body (`metadata`)."""
