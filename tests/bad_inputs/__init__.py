"""The bad-input corpus (`corpus.py`: a generator of small bad files, one per kind of problem) and the harness
that runs the real pipeline on copies of the demo world (`harness.py`)."""
