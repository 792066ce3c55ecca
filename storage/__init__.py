"""Tables and the small query functions the handlers call. Handlers never write SQL."""
