ALTER FUNCTION search_hits(text, text, integer, integer) ROWS 1000 RESET enable_seqscan;
