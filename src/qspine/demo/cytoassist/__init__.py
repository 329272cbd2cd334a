"""CytoAssist's real model: data, training and the evaluation command (ADR 0015).

The demo's model is a real scikit-learn model trained on the Wisconsin Diagnostic Breast
Cancer data that scikit-learn ships (`load_breast_cancer`), so its weights, dataset
manifests, validation metrics and output fingerprints are computed, not typed. Nothing here is
fetched from the network.
"""
