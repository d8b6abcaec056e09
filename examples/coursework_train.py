"""Train a small classifier with bp, test it on held-out data and check its gradients.

Needs numpy and bp only:  python coursework_train.py
"""
import numpy as np

import bp

rng = np.random.default_rng(0)                       # every random choice comes from here
X, y = bp.make_moons(600, noise=0.2, rng=rng)         # X (600, 2) points, y (600,) labels 0, 1
X_rest, X_test, y_rest, y_test = bp.train_test_split(X, y, test_fraction=0.2, rng=rng)
X_train, X_val, y_train, y_val = bp.train_test_split(X_rest, y_rest, test_fraction=0.2, rng=rng)
scaler = bp.Standardizer().fit(X_train)               # statistics of the training set only
X_train, X_val, X_test = scaler.transform(X_train), scaler.transform(X_val), scaler.transform(X_test)

model = bp.Sequential(bp.Linear(2, 32, rng=rng), bp.Tanh(),     # 2 inputs -> 32 hidden units
                      bp.Linear(32, 2, rng=rng))                # -> 2 logits, one per class
loss = bp.SoftmaxCrossEntropy()                       # softmax + cross-entropy, on logits and labels
optimizer = bp.Adam(model.parameters(), lr=0.02)
epochs, batch_size = 60, 32
schedule = bp.Cosine(0.02, total=epochs * int(np.ceil(len(X_train) / batch_size)), warmup=10)

history = bp.fit(model, loss, optimizer, X_train, y_train, epochs=epochs, batch_size=batch_size,
                 rng=rng, validation_data=(X_val, y_val), schedule=schedule)
print(f"training loss {history.loss[0]:.2f} -> {history.loss[-1]:.2f} in {sum(history.updates)} updates")
print(f"validation accuracy {history.val_accuracy[-1]:.2f}")

print(f"test accuracy {bp.accuracy(y_test, bp.predict(model, loss, X_test)):.2f}")   # used once, at the end
P = bp.probabilities(model, loss, X_test[:3])         # (3, 2): softmax of the logits, rows sum to 1
print(f"P(class 1) for the first 3 test points: {P[:, 1].round(2)}, their labels: {y_test[:3]}")

errors = bp.check_gradients(model, loss, X_test[:10], y_test[:10])
print(f"gradient check: largest relative error {max(errors.values()):.0e}")   # below 1e-7: correct
