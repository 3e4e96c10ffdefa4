"""The payment centre: invoices, voluntary contributions, card payments, receipts."""
