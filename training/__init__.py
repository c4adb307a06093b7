"""Offline training and evaluation of the fzreport section classifier and summarisers."""
