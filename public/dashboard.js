// The dashboard's settings page: the preview frame follows the theme fields as they change.
(() => {
  const form = document.getElementById('settings-form');
  const frame = document.getElementById('preview');
  if (!form || !frame) return;
  let timer;
  const update = () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      const q = new URLSearchParams();
      for (const name of ['display_name', 'primary_color', 'accent_color', 'logo_url']) {
        // a test-mode session's form has no theme fields (live settings)
        if (form.elements[name]) q.set(name, form.elements[name].value);
      }
      frame.src = '/dashboard/preview?' + q.toString();
    }, 250);
  };
  form.addEventListener('input', update);
})();
