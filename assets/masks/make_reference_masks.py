"""Reference masks built without U2-Net: threshold the white studio backdrop, then clean up."""
import numpy as np
from PIL import Image
from scipy import ndimage
from pathlib import Path
D=str(Path(__file__).resolve().parents[1] / 'samples' / 'photos') + '/'
def ref(f, thr):
    px=np.asarray(Image.open(D+f).convert('RGB')).astype(np.int16)
    fg=(255-px).max(-1)>thr
    fg=ndimage.binary_opening(fg,iterations=1)
    lab,n=ndimage.label(fg); sizes=ndimage.sum(fg,lab,range(1,n+1))
    fg=np.isin(lab, np.flatnonzero(sizes>=0.01*sizes.max())+1)
    holes=ndimage.binary_fill_holes(fg)&~fg
    hl,hn=ndimage.label(holes)
    for i in range(1,hn+1):
        h=hl==i
        # interior specular highlights / pale print are product; big enclosed white loops stay background
        if h.sum()<400: fg|=h
    return fg
out={}
for f,thr in [('luma-yoga-brick.jpg',20),('mb01-blue-0.jpg',20),('mb02-gray-0.jpg',20)]:
    m=ref(f,thr); out[f]=m
    print(f, m.mean())
    Image.fromarray((m*255).astype(np.uint8)).save(str(Path(__file__).parent) + '/'+f.replace('.jpg','.png'))
