"""fzreport adapters: command line, HTTP service and archive batch over the `model` core."""
