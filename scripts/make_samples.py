"""Copy a few Luma products (AFL-3.0 / OSL-3.0) into assets/samples for the "Load sample" menu.

Run once from the repo root: python scripts/make_samples.py ../shared/data/luma
"""
import json
import shutil
import sys
from pathlib import Path

PICK = ["24-MB05", "24-WG082-pink", "MH01", "WJ08", "24-MG02"]
MAX_PHOTOS = 2

source = Path(sys.argv[1] if len(sys.argv) > 1 else "../shared/data/luma")
target = Path("assets/samples")
(target / "images").mkdir(parents=True, exist_ok=True)
records = {json.loads(line)["id"]: json.loads(line) for line in (source / "products.jsonl").open()}
with (target / "products.jsonl").open("w") as out:
    for sku in PICK:
        record = dict(records[sku])
        record["images"] = record["images"][:MAX_PHOTOS]
        for image in record["images"]:
            shutil.copy(source / image, target / image)
        out.write(json.dumps(record, ensure_ascii=False) + "\n")
for licence in source.glob("LICENSE_*"):
    shutil.copy(licence, target / licence.name)
print(f"wrote {len(PICK)} products to {target}")
