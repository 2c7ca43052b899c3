"""What a run's tables become: Parquet (writer), the audit page, comparisons, spreadsheets, scores."""
