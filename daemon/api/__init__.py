"""The project API: every operation a front end offers, as one function each."""
