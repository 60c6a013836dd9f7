"""Dev helper: stack PNGs vertically into one image for viewing."""
import sys
from PIL import Image
ims = [Image.open(p) for p in sys.argv[2:]]
w = max(i.width for i in ims); h = sum(i.height for i in ims)
out = Image.new("RGB", (w, h), "white"); y = 0
for i in ims: out.paste(i, (0, y)); y += i.height
out.save(sys.argv[1])
