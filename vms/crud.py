"""The console's create, edit and delete pages: one implementation for every app.

An app describes its kind of object once (`CrudPages`) and wraps the three views in
its role check. They stay thin: the form collects input (`service_arguments()`), the
app's services hold the rules and raise `ValidationError`, shown on the form with
nothing lost.
"""

from dataclasses import dataclass
from typing import Callable

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from vms.forms import add_service_errors


@dataclass(frozen=True)
class CrudPages:
    name: str  # "camera": the template context key, and the keyword of the form and the services
    label: str  # "Camera", as messages start
    folder: str  # "cameras": the templates' folder and the URL namespace (`detail`, `list`)
    form: type  # form(data, **{name: obj}) with service_arguments()
    get: Callable  # get(request, pk) -> the object; 404 or PermissionDenied when not theirs
    create: Callable  # create(actor=, **arguments) -> the object
    update: Callable  # update(actor=, **{name: obj}, **arguments)
    delete: Callable  # delete(actor=, **{name: obj})
    created: str = "{label} {name} created."

    def _form_page(self, request, obj, save, message):
        form = self.form(request.POST or None, **({self.name: obj} if obj is not None else {}))
        if request.method == "POST" and form.is_valid():
            try:
                saved = save(**form.service_arguments())
            except ValidationError as exc:
                add_service_errors(form, exc)
                if obj is not None:
                    obj.refresh_from_db()  # the service may have changed it in memory
            else:
                messages.success(request, message.format(label=self.label, name=saved.name))
                return redirect(reverse(f"{self.folder}:detail", args=[saved.pk]))
        return render(request, f"{self.folder}/form.html", {"form": form, self.name: obj})

    def create_view(self, request):
        save = lambda **arguments: self.create(actor=request.user, **arguments)  # noqa: E731
        return self._form_page(request, None, save, self.created)

    def edit_view(self, request, pk):
        obj = self.get(request, pk)
        save = lambda **arguments: self.update(actor=request.user, **{self.name: obj}, **arguments)  # noqa: E731
        return self._form_page(request, obj, save, "{label} {name} saved.")

    def delete_view(self, request, pk):
        obj = self.get(request, pk)
        if request.method == "POST":
            self.delete(actor=request.user, **{self.name: obj})
            messages.success(request, f"{self.label} {obj.name} deleted.")
            return redirect(f"{self.folder}:list")
        return render(request, f"{self.folder}/confirm_delete.html", {self.name: obj})

    def views(self, role_check):
        """(create, edit, delete) views, each behind `role_check` and answering GET and POST only."""
        methods = require_http_methods(["GET", "POST"])
        return tuple(role_check(methods(view)) for view in (self.create_view, self.edit_view, self.delete_view))
