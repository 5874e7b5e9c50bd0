"""One construct per unit of the deployment; each takes its settings as properties."""
