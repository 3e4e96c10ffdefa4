"""The loan rules, read from the LoanRule rows staff keep in the admin; a document type without
a row gets the product's defaults (the model's field defaults)."""

from library.models import LoanRule


def loan_rule(document_type: str) -> LoanRule:
    rule = LoanRule.objects.filter(document_type=document_type).first()
    return rule or LoanRule(document_type=document_type)
