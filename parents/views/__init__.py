"""The parents' portal: account (login, creation, reset), children, store, help."""
