// The fiscal year selector goes to the chosen year as soon as one is picked; without
// JavaScript its button does the same.
document.documentElement.classList.add("js");
document.addEventListener("change", (event) => {
  if (event.target.id === "year-select") event.target.form.requestSubmit();
});
