"""Batches: many files through the pipeline in worker processes (`run`, `pool`), with a manifest for
resume (`manifest`), outputs written atomically (`atomic`) and a progress bar (`progress`)."""
