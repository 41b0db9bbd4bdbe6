"""Agreement documents: served as downloads, only when the agreement is public or to staff."""

from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404

from .models import Agreement


def agreement_document(request, slug: str):
    """``GET /agreements/<slug>/document.pdf``: the signed PDF as an attachment.

    404 when the agreement has no document, or is a draft and the user is not staff.
    """
    agreement = get_object_or_404(Agreement.objects.visible_to(request.user), slug=slug)
    if not agreement.document:
        raise Http404("This agreement has no document.")
    try:
        handle = agreement.document.open("rb")
    except FileNotFoundError as error:
        raise Http404("The document file is missing.") from error
    response = FileResponse(
        handle, as_attachment=True, filename=f"{agreement.slug}.pdf", content_type="application/pdf"
    )
    response["X-Content-Type-Options"] = "nosniff"
    public = Agreement.objects.public().filter(pk=agreement.pk).exists()
    response["Cache-Control"] = "public, max-age=3600" if public else "private, no-store"
    return response
