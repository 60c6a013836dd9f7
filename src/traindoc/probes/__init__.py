"""Live probes inside PyTorch training: ``traindoc.watch`` and its framework callbacks.

Probes only measure and append series to a growing Run; the rules decide. Importing this
package does not import torch; ``traindoc.probes.watch`` does.
"""
