"""Pages for the hiring side (clients): their organisation's checks, ordering one, and colleagues."""
