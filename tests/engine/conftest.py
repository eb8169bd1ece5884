import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))  # card_helpers, shared with the text and tabular card tests
