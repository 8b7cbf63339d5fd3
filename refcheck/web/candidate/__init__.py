"""Pages for the candidate: the portal, their referees and work history, the findings."""
