"""Validate: the relations of the output contract on the readings, confidences and the review list
(`checks`); glued digit runs of plain text decided by the same relations (`resolve`)."""
