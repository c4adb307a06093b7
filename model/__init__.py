"""fzreport core: segmentation, section classification and extractive summarisation.

Pure Python: nothing here imports Flask, argparse or tqdm, and nothing is loaded at import time.
"""

__version__ = "0.1.0"
