"""Sentence embeddings: load a SentenceTransformer by name or path once, embed texts in normalised batches."""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeAlias

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    Matrix: TypeAlias = npt.NDArray[np.float32]

log = logging.getLogger(__name__)

BATCH_SIZE = 64
MAX_CHARS = 2000
"""Only the start of a long text is embedded (the model reads at most 256 word pieces anyway)."""


class Embedder:
    """One model, loaded lazily on first use; ``embed`` blocks, ``aembed`` runs it off the event loop."""

    def __init__(self, model: str, *, batch_size: int = BATCH_SIZE, device: str = "cpu") -> None:
        self.model_name = model
        self.batch_size = batch_size
        self.device = device
        self._model: Any = None
        self._dim: int | None = None
        self._lock = threading.Lock()

    @property
    def name(self) -> str:
        """The model as stored with each embedding: the hub name, or a local folder's name (its parent's if "model")."""
        path = Path(self.model_name)
        if not path.is_dir():
            return self.model_name
        return path.parent.name if path.name == "model" else path.name

    def _load(self) -> Any:
        with self._lock:
            if self._model is None:
                from sentence_transformers import SentenceTransformer

                log.info("loading sentence embedding model %s", self.model_name)
                self._model = SentenceTransformer(self.model_name, device=self.device)
                size = getattr(self._model, "get_embedding_dimension", None)
                self._dim = int(size() if size else self._model.get_sentence_embedding_dimension())
            return self._model

    @property
    def dim(self) -> int:
        """The embedding size (loads the model)."""
        self._load()
        assert self._dim is not None
        return self._dim

    def embed(self, texts: Sequence[str]) -> Matrix:
        """One L2-normalised float32 row per text (an empty text gets the model's embedding of "")."""
        import numpy as np

        model = self._load()
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        clipped = [text[:MAX_CHARS] for text in texts]
        with self._lock:
            vectors = model.encode(
                clipped,
                batch_size=self.batch_size,
                normalize_embeddings=True,
                convert_to_numpy=True,
                show_progress_bar=False,
            )
        return np.ascontiguousarray(vectors, dtype=np.float32)

    async def aembed(self, texts: Sequence[str]) -> Matrix:
        """:meth:`embed` in a worker thread, so the event loop keeps serving chat."""
        return await asyncio.to_thread(self.embed, list(texts))
