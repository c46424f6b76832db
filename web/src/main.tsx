import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { RouterProvider } from '@tanstack/react-router';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { ApiError, configureApi } from './api/client';
import { getSession } from './auth/session';
import { loadConfig, setConfig } from './config';
import { makeRouter } from './router';
import './styles.css';

const config = await loadConfig();
setConfig(config);
configureApi(config.apiBaseUrl);

const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      staleTime: 10_000,
      // a refusal (4xx) will not change by asking again; a network failure or a 5xx might
      retry: (count, error) =>
        count < 2 && !(error instanceof ApiError && error.status >= 400 && error.status < 500),
    },
  },
});
const router = makeRouter({ queryClient, config });

// signing out (or a token the API no longer accepts) runs the route guards again
let signedIn = getSession() !== null;
window.addEventListener('mentorship:session', () => {
  const now = getSession() !== null;
  if (now !== signedIn) {
    signedIn = now;
    if (!now) queryClient.clear();
    void router.invalidate();
  }
});

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <QueryClientProvider client={queryClient}>
      <RouterProvider router={router} />
    </QueryClientProvider>
  </StrictMode>,
);
