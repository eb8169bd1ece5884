"""The shared run pipeline used by every task: project folder, logging, arguments, saving, push."""
