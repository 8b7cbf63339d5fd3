"""Pages for a referee: their link, the questionnaire, and their answers afterwards."""
