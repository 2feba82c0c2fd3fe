"""Predictions: match probabilities from results, season simulations and exact clinch/elimination."""
