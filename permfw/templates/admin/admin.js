// Search as you type: the user list's rows come back as HTML from the address in the search
// box's `data-rows` (the admin's `/users/rows`, wherever the admin is mounted).
document.addEventListener("DOMContentLoaded", () => {
  const search = document.getElementById("search");
  const rows = document.getElementById("users");
  if (!search || !rows) return;
  let pending;
  search.addEventListener("input", () => {
    clearTimeout(pending);
    pending = setTimeout(async () => {
      const response = await fetch(search.dataset.rows + "?q=" + encodeURIComponent(search.value));
      if (response.ok) rows.innerHTML = await response.text();
    }, 150);
  });
});
