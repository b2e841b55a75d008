"""--random-weights: untrained torchvision networks made to answer logits the size of a trained one's."""

import torch

from .logits import select_logits
from .options import IMAGENET_MEAN, IMAGENET_STD


def make_stand_in_weights(model, width, height, seed, mean=IMAGENET_MEAN, std=IMAGENET_STD):
    """Give an untrained network the activation scale of a trained one.

    Freshly initialised torchvision models answer logits of 1e-9 to 1e-13 (batch norm
    running statistics that do not match the activations, heads initialised near zero),
    which would make any logit comparison pass. Batch norm statistics measured on
    random images and a rescaled head give logits spread like a trained model's.
    """
    generator = torch.Generator().manual_seed(seed)
    batch = calibration_batch(width, height, mean, std, generator)
    norms = [m for m in model.modules() if isinstance(m, torch.nn.modules.batchnorm._BatchNorm)]
    for norm in norms:
        norm.reset_running_stats()
        norm.momentum = None  # a plain average over the calibration batch
    model.train()
    with torch.no_grad():
        model(batch)
    for norm in norms:
        norm.momentum = 0.1
    model.eval()
    scale_head(model, batch)


def calibration_batch(width, height, mean, std, generator, count=4):
    """Smooth random images (like photos) and pixel noise (like the verification's random
    tensors), normalised: statistics from both keep either kind from producing huge logits."""
    coarse = torch.rand(count, 3, max(1, height // 32), max(1, width // 32), generator=generator)
    smooth = torch.nn.functional.interpolate(coarse, size=(height, width), mode="bilinear", align_corners=False)
    smooth = (smooth + 0.1 * torch.rand(count, 3, height, width, generator=generator)).clamp(0, 1)
    noise = torch.rand(count, 3, height, width, generator=generator)
    pixels = torch.cat([smooth, noise])
    return (pixels - torch.tensor(mean).view(1, 3, 1, 1)) / torch.tensor(std).view(1, 3, 1, 1)


def scale_head(model, batch, target_std=3.0):
    """Scale the last linear layer so that logits spread like a trained classifier's (std ~3)."""
    head = next((m for m in reversed(list(model.modules())) if isinstance(m, torch.nn.Linear)), None)
    if head is None:
        return
    if not head.weight.any():
        head.reset_parameters()  # some heads (ViT's) start at zero, which no scale fixes
    with torch.no_grad():
        std = float(select_logits(model(batch)).std())
        if std > 0:
            head.weight.mul_(target_std / std)
            head.bias.mul_(target_std / std)
