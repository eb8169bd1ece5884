"""Features that wrap a run (distillation, ...): they attach to a built trainer, never branch inside a task."""
