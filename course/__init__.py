"""How PyTorch computes gradients: what the notebooks and the grading tools share."""
