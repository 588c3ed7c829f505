"""Quick polls (民調, issue 18): questions, one answer per account, raking to population margins, and the representativeness picture."""
