import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import 'uplot/dist/uPlot.min.css';
import './styles.css';
import { App } from './components/App.js';
import { pageColumnSource } from './lib/column-source.js';

// The Explore table's column worker loads while the first render runs.
pageColumnSource();

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
