// Search as you type: the user list's rows come back as HTML from /admin/users/rows.
document.addEventListener("DOMContentLoaded", () => {
  const search = document.getElementById("search");
  const rows = document.getElementById("users");
  if (!search || !rows) return;
  let pending;
  search.addEventListener("input", () => {
    clearTimeout(pending);
    pending = setTimeout(async () => {
      const response = await fetch("/admin/users/rows?q=" + encodeURIComponent(search.value));
      if (response.ok) rows.innerHTML = await response.text();
    }, 150);
  });
});
