"""Online intake, the five-state one-stop workflow, officer queues, receipts and audit."""
