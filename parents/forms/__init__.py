"""Forms of the parents' portal: they validate only, the services write."""
