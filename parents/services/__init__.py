"""The parents' portal's writes: account creation and reset (account), the store (store),
help requests (help). Each write that spans rows is atomic and audited."""
