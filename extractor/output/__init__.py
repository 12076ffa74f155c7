"""What users do with outputs: read a batch's folder (`outputs`), export it to CSV, JSONL, SQLite or
Parquet (`export`, `formats`), review the doubtful cells with their crops (`review`, `crops`), and dump
any intermediate stage for debugging (`debug`)."""
