"""A two-layer network trained with bp by a hand-written loop: the loop that bp.fit runs.

Appendix B writes the same network and loop in PyTorch and in JAX. Needs numpy and bp only.
"""
import numpy as np

import bp

rng = np.random.default_rng(0)
X, y = bp.make_moons(400, noise=0.2, rng=rng)         # X (400, 2) float64, y (400,) int64 labels
X_train, X_test, y_train, y_test = bp.train_test_split(X, y, rng=rng)
epochs, batch_size = 50, 32

model = bp.Sequential(bp.Linear(2, 16, rng=rng), bp.Tanh(), bp.Linear(16, 2, rng=rng))   # W^(1) (2, 16)
loss = bp.SoftmaxCrossEntropy()                       # logits (B, 2) and labels (B,); the mean over the batch
optimizer = bp.Momentum(model.parameters(), lr=0.1, beta=0.9)

for epoch in range(epochs):
    for X_batch, y_batch in bp.batches(X_train, y_train, batch_size, rng):   # a fresh order every epoch
        logits = model.forward(X_batch)               # forward pass; every layer keeps what backward needs
        loss(logits, y_batch)                         # L, the mean loss of the batch
        model.backward(loss.backward())               # backward pass: overwrites every Parameter.grad
        optimizer.step()                              # v = beta v + g;  theta = theta - lr v

train_loss = loss(model.forward(X_train), y_train)
accuracy = np.mean(bp.predict(model, loss, X_test) == y_test)
print(f"training loss {train_loss:.2f}, test accuracy {accuracy:.2f}")
