def role(request):
    user = getattr(request, "user", None)
    return {"user_role": user.role if user is not None and user.is_authenticated else None}
