// The user list (progressive enhancement; the page works without this script).
// Search as you type: the rows come back as HTML from the address in the search box's
// `data-rows` (the admin's `/users/rows`, wherever the admin is mounted), with the filters
// of the same form; the address bar and the "Next page" link follow, so the list stays
// bookmarkable. "Select all" checks every user on this page for a bulk action.
document.addEventListener("DOMContentLoaded", () => {
  const search = document.getElementById("search");
  const rows = document.getElementById("users");
  const filters = document.getElementById("filters");
  if (search && rows && filters) {
    let pending;
    search.addEventListener("input", () => {
      clearTimeout(pending);
      pending = setTimeout(async () => {
        const params = new URLSearchParams(new FormData(filters));
        for (const [key, value] of [...params]) if (!value) params.delete(key);
        const query = params.toString();
        const response = await fetch(search.dataset.rows + (query ? "?" + query : ""));
        if (!response.ok) return;
        rows.innerHTML = await response.text();
        history.replaceState(null, "", filters.action + (query ? "?" + query : ""));
        const pages = document.getElementById("pages");
        const next = response.headers.get("x-next-page");
        if (pages) {
          pages.textContent = "";
          if (next) {
            const link = document.createElement("a");
            link.id = "next";
            link.href = next;
            link.textContent = "Next page";
            pages.append(link);
          }
        }
        const all = document.getElementById("select-all");
        if (all) all.checked = false;
      }, 150);
    });
  }
  const all = document.getElementById("select-all");
  const bulk = document.getElementById("bulk");
  if (all && bulk) {
    all.hidden = false;
    all.addEventListener("change", () => {
      for (const box of bulk.querySelectorAll('input[name="users"]')) box.checked = all.checked;
    });
  }
});
