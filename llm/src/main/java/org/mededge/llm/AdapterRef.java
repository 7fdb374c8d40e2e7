package org.mededge.llm;

/** Names a LoRA adapter (e.g. "respiratory", "cardiology", "radiology"); null in a request means the base model. */
public record AdapterRef(String name) {
    public AdapterRef {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("adapter name is empty");
        }
    }
}
