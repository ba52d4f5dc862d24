"""Fraud model training: LightGBM on the replayed feature matrix, calibrated, exported to ONNX."""
