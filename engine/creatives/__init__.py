"""Ad creatives from the merchant's photos: cut-out, backdrops, layouts, the ad images in every
platform size, narration and the product video."""
